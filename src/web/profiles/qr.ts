import QRCode from 'qrcode';

/**
 * A QR code of `url` as inline SVG (the `qrcode` package: maintained, no native parts, SVG out of
 * the box). Labelled for screen readers; the page shows the link as text beside it.
 */
export async function qrSvg(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return svg.replace('<svg ', '<svg role="img" aria-label="QR code of the sign-in link" width="240" height="240" ');
}
