/** Image types we accept, recognised by their first bytes (never by the declared content type). */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

export function sniffImage(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((byte, index) => bytes[index] === byte)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export class ImageFormatError extends Error {}

/**
 * Removes metadata that can locate or identify a person (EXIF with GPS, XMP,
 * comments) while keeping the picture: JPEG APP1..APP15 and COM segments, PNG
 * eXIf/tEXt/zTXt/iTXt/tIME chunks, WebP EXIF/XMP chunks.
 */
export function stripMetadata(bytes: Uint8Array, type: ImageType): Uint8Array {
  switch (type) {
    case 'image/jpeg':
      return stripJpeg(bytes);
    case 'image/png':
      return stripPng(bytes);
    case 'image/webp':
      return stripWebp(bytes);
  }
}

/** Start-of-frame markers: they carry the picture's size (0xc4, 0xc8 and 0xcc are not frames). */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** A width or height a photo can have: not zero, not absurd. */
const plausibleSide = (side: number) => side > 0 && side <= 30_000;

function stripJpeg(bytes: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let offset = 2;
  let framed = false;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw new ImageFormatError('corrupt JPEG segment');
    const marker = bytes[offset + 1]!;
    if (marker === 0xda) {
      // A file that only starts like a JPEG has no frame before its scan, or no scan data.
      if (!framed) throw new ImageFormatError('JPEG without a frame');
      if (bytes.length - offset < 8) throw new ImageFormatError('JPEG without image data');
      // Start of scan: the compressed picture runs to the end of the file.
      kept.push(bytes.subarray(offset));
      return concat(kept);
    }
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (length < 2 || offset + 2 + length > bytes.length)
      throw new ImageFormatError('corrupt JPEG segment');
    if (isStartOfFrame(marker)) {
      if (length < 8) throw new ImageFormatError('corrupt JPEG frame');
      const height = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
      const width = (bytes[offset + 7]! << 8) | bytes[offset + 8]!;
      if (!plausibleSide(width) || !plausibleSide(height))
        throw new ImageFormatError('JPEG frame without a size');
      framed = true;
    }
    const isMetadata = (marker >= 0xe1 && marker <= 0xef) || marker === 0xfe;
    if (!isMetadata) kept.push(bytes.subarray(offset, offset + 2 + length));
    offset += 2 + length;
  }
  throw new ImageFormatError('JPEG without image data');
}

const PNG_METADATA = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);

function stripPng(bytes: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  let offset = 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hasData = false;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) throw new ImageFormatError('corrupt PNG chunk');
    if (offset === 8) {
      // The header comes first and gives the size.
      if (type !== 'IHDR' || length !== 13) throw new ImageFormatError('PNG without a header');
      if (!plausibleSide(view.getUint32(offset + 8)) || !plausibleSide(view.getUint32(offset + 12)))
        throw new ImageFormatError('PNG header without a size');
    }
    if (type === 'IDAT') hasData = true;
    if (!PNG_METADATA.has(type)) kept.push(bytes.subarray(offset, end));
    offset = end;
    if (type === 'IEND') {
      if (!hasData) throw new ImageFormatError('PNG without image data');
      return concat(kept);
    }
  }
  throw new ImageFormatError('PNG without IEND');
}

function stripWebp(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Uint8Array[] = [];
  let offset = 12;
  let hasPicture = false;
  while (offset + 8 <= bytes.length) {
    const type = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    if (type === 'VP8 ' || type === 'VP8L' || type === 'VP8X') hasPicture = true;
    const size = view.getUint32(offset + 4, true);
    const end = offset + 8 + size + (size % 2);
    if (offset + 8 + size > bytes.length) throw new ImageFormatError('corrupt WebP chunk');
    if (type !== 'EXIF' && type !== 'XMP ')
      chunks.push(bytes.subarray(offset, Math.min(end, bytes.length)));
    offset = end;
  }
  if (!hasPicture) throw new ImageFormatError('WebP without a picture');
  const body = concat(chunks);
  const header = new Uint8Array(12);
  header.set(bytes.subarray(0, 12));
  new DataView(header.buffer).setUint32(4, body.length + 4, true);
  return concat([header, body]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
