// The device's location fix for evidence, when the platform gives one
// quickly; evidence is never held back waiting for it.
export interface Fix {
  lat: number
  lon: number
  accuracy_m: number
}

import { onMobileApp, pluginFix } from './platform'

export function currentFix(timeoutMs = 2500): Promise<Fix | null> {
  if (onMobileApp()) return pluginFix().catch(() => null)
  if (typeof navigator === 'undefined' || !navigator.geolocation) return Promise.resolve(null)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs)
    navigator.geolocation.getCurrentPosition(
      (p) => {
        clearTimeout(timer)
        resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy })
      },
      () => {
        clearTimeout(timer)
        resolve(null)
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    )
  })
}
