import { describe, expect, it } from 'vitest';
import { ImageFormatError, sniffImage, stripMetadata } from './image-sniffing.ts';

const segment = (marker: number, payload: number[]) => [
  0xff,
  marker,
  0,
  payload.length + 2,
  ...payload,
];
const exifWithGps = [...'Exif\0\0GPS 41.1N 122.9E'].map((c) => c.charCodeAt(0));

function jpeg(): Uint8Array {
  return Uint8Array.from([
    0xff,
    0xd8,
    ...segment(
      0xe0,
      [...'JFIF\0'].map((c) => c.charCodeAt(0)),
    ),
    ...segment(0xe1, exifWithGps),
    ...segment(
      0xfe,
      [...'a comment'].map((c) => c.charCodeAt(0)),
    ),
    ...segment(0xdb, [1, 2, 3]),
    // Start of frame: 8-bit, 1x1, one component.
    ...segment(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
    0xff,
    0xda,
    0,
    4,
    9,
    9,
    0x12,
    0x34,
    0xff,
    0xd9,
  ]);
}

function pngChunk(type: string, data: number[]): number[] {
  const length = [0, 0, 0, data.length];
  return [...length, ...[...type].map((c) => c.charCodeAt(0)), ...data, 0, 0, 0, 0];
}

function png(): Uint8Array {
  return Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...pngChunk('IHDR', [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]),
    ...pngChunk('eXIf', exifWithGps),
    ...pngChunk(
      'tEXt',
      [...'Author\0me'].map((c) => c.charCodeAt(0)),
    ),
    ...pngChunk('IDAT', [1, 2, 3]),
    ...pngChunk('IEND', []),
  ]);
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('image sniffing and metadata stripping', () => {
  it('recognises JPEG, PNG and WebP by their bytes and nothing else', () => {
    expect(sniffImage(jpeg())).toBe('image/jpeg');
    expect(sniffImage(png())).toBe('image/png');
    expect(sniffImage(Uint8Array.from(Buffer.from('RIFF\x10\0\0\0WEBPVP8 ', 'latin1')))).toBe(
      'image/webp',
    );
    expect(sniffImage(Uint8Array.from(Buffer.from('<svg onload=alert(1)>')))).toBeNull();
    expect(sniffImage(Uint8Array.from(Buffer.from('GIF89a')))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
  });

  it('drops EXIF, XMP and comments from a JPEG and keeps the picture', () => {
    const stripped = stripMetadata(jpeg(), 'image/jpeg');
    expect(text(stripped)).not.toContain('GPS');
    expect(text(stripped)).not.toContain('a comment');
    expect(text(stripped)).toContain('JFIF');
    expect(Array.from(stripped.subarray(-4))).toEqual([0x12, 0x34, 0xff, 0xd9]);
  });

  it('drops eXIf and text chunks from a PNG', () => {
    const stripped = stripMetadata(png(), 'image/png');
    expect(text(stripped)).not.toContain('GPS');
    expect(text(stripped)).not.toContain('Author');
    expect(text(stripped)).toContain('IDAT');
    expect(text(stripped)).toContain('IEND');
  });

  it('refuses corrupt files', () => {
    expect(() =>
      stripMetadata(Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]), 'image/jpeg'),
    ).toThrow(ImageFormatError);
    expect(() => stripMetadata(png().subarray(0, 30), 'image/png')).toThrow(ImageFormatError);
  });

  it('refuses files that only start like an image', () => {
    const withoutFrame = Uint8Array.from([
      0xff,
      0xd8,
      ...segment(0xe0, [0x4a]),
      0xff,
      0xda,
      0,
      4,
      1,
      1,
      0x55,
      0xaa,
      0xff,
      0xd9,
    ]);
    expect(() => stripMetadata(withoutFrame, 'image/jpeg')).toThrow(ImageFormatError);
    expect(() => stripMetadata(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]), 'image/jpeg')).toThrow(
      ImageFormatError,
    );
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    const header = pngChunk('IHDR', [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    const noData = Uint8Array.from([...signature, ...header, ...pngChunk('IEND', [])]);
    expect(() => stripMetadata(noData, 'image/png')).toThrow(ImageFormatError);
    const noHeader = Uint8Array.from([
      ...signature,
      ...pngChunk('IDAT', [1, 2, 3]),
      ...pngChunk('IEND', []),
    ]);
    expect(() => stripMetadata(noHeader, 'image/png')).toThrow(ImageFormatError);
    const zeroSized = Uint8Array.from([
      ...signature,
      ...pngChunk('IHDR', [0, 0, 0, 0, 0, 0, 0, 1, 8, 2, 0, 0, 0]),
      ...pngChunk('IDAT', [1]),
      ...pngChunk('IEND', []),
    ]);
    expect(() => stripMetadata(zeroSized, 'image/png')).toThrow(ImageFormatError);
    const webpWithoutPicture = Uint8Array.from(
      Buffer.from('RIFF\x0e\0\0\0WEBPEXIF\x02\0\0\0ab', 'latin1'),
    );
    expect(() => stripMetadata(webpWithoutPicture, 'image/webp')).toThrow(ImageFormatError);
  });
});
