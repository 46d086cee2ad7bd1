/** Small images for upload tests, built byte by byte. */
const segment = (marker: number, text: string) => {
  const payload = [...text].map((c) => c.charCodeAt(0));
  return [0xff, marker, 0, payload.length + 2, ...payload];
};
/** A minimal JPEG whose EXIF block carries a GPS position. */
export const photoWithGps = Uint8Array.from([
  0xff,
  0xd8,
  ...segment(0xe0, 'JFIF\0'),
  ...segment(0xe1, 'Exif\0\0GPS 41.0983N 122.9971E'),
  ...segment(0xdb, 'qt'),
  ...segment(0xc0, '\x08\0\x01\0\x01\x01\x01\x11\0'),
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
