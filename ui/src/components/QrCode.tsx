import { useEffect, useState } from 'preact/hooks'

/**
 * The TOTP QR code, drawn from the API's `qr_svg`. The SVG is never put into the document as markup:
 * it becomes a Blob, shown through an object URL in an <img>. An image cannot run script or fetch
 * anything, whatever the SVG holds, and the CSP needs only `img-src blob:`, which (unlike `data:`) no
 * injected markup can use, since only this origin's scripts can mint a blob: URL. The reserved square
 * keeps the page from moving when the image arrives.
 */
export function QrCode({ svg, label }: { svg: string; label: string }) {
  const [url, setUrl] = useState<string | undefined>(undefined)
  useEffect(() => {
    const objectUrl = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }))
    setUrl(objectUrl)
    return () => URL.revokeObjectURL(objectUrl)
  }, [svg])
  return <div class="qr">{url && <img src={url} alt={label} width={200} height={200} />}</div>
}
