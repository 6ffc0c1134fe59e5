// Which shell and device the screens run on, and the mobile-only plugin
// calls (the plugins are registered only on Android and iOS: src-tauri).
import { invoke } from '@tauri-apps/api/core'
import { inTauri } from '../backend/tauri'

/** The Tauri app on a phone or tablet. */
export function onMobileApp(): boolean {
  return inTauri() && /Android|iPhone|iPad/i.test(navigator.userAgent)
}

/** A unified social credit code (GB 32100) anywhere in a scanned text. */
export function usccIn(text: string): string | null {
  const m = text.toUpperCase().match(/[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}/)
  return m ? m[0] : null
}

/** Scans a business-licence QR with the camera (barcode-scanner plugin); its USCC, if any. */
export async function scanLicence(): Promise<string | null> {
  const res = await invoke<{ content: string }>('plugin:barcode-scanner|scan', { formats: ['QR_CODE'], windowed: false })
  return usccIn(res.content)
}

/** The device fix from the geolocation plugin (mobile app only). */
export async function pluginFix(): Promise<{ lat: number; lon: number; accuracy_m: number } | null> {
  const p = await invoke<{ coords: { latitude: number; longitude: number; accuracy: number } }>(
    'plugin:geolocation|get_current_position',
    { options: { enableHighAccuracy: true, timeout: 3000, maximumAge: 60000 } },
  )
  return { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy }
}
