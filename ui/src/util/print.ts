// A4 to the system printer from the webview: the PDF goes into a hidden
// iframe and the iframe's print() opens the system print dialog. The same
// in Tauri 2's webview and in a browser on `zhifa web` (no download, no
// new window); the frame is removed a minute later.
import { fromBase64 } from './format'

export function printPdf(pdfBase64: string): void {
  const bytes = fromBase64(pdfBase64)
  const url = URL.createObjectURL(new Blob([bytes.buffer as ArrayBuffer], { type: 'application/pdf' }))
  const frame = document.createElement('iframe')
  frame.setAttribute('aria-hidden', 'true')
  frame.setAttribute('data-testid', 'print-frame')
  frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden'
  frame.onload = () => {
    try {
      frame.contentWindow?.focus()
      frame.contentWindow?.print()
    } catch {
      window.open(url, '_blank')
    }
  }
  frame.src = url
  document.body.appendChild(frame)
  setTimeout(() => {
    frame.remove()
    URL.revokeObjectURL(url)
  }, 60_000)
}
