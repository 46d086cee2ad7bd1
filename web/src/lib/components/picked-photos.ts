/** One photo at most (MAX_PHOTO_BYTES on the server). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** At most this many photos of one kind per ticket (MAX_PHOTOS_PER_KIND on the server). */
export const MAX_PHOTOS = 6;

/** A photo chosen on the phone, waiting to be uploaded (or already uploaded). */
export interface PickedPhoto {
  key: number;
  file: File;
  /** An object URL for the preview; revoke it when the photo is dropped. */
  previewUrl: string;
  uploaded: boolean;
}

let nextKey = 1;

export function pick(
  files: Iterable<File>,
  current: readonly PickedPhoto[],
  max = MAX_PHOTOS,
): { photos: PickedPhoto[]; tooLarge: string[]; tooMany: boolean } {
  const photos = [...current];
  const tooLarge: string[] = [];
  let tooMany = false;
  for (const file of files) {
    if (file.size > MAX_PHOTO_BYTES) {
      tooLarge.push(file.name);
      continue;
    }
    if (photos.length >= max) {
      tooMany = true;
      continue;
    }
    photos.push({ key: nextKey++, file, previewUrl: URL.createObjectURL(file), uploaded: false });
  }
  return { photos, tooLarge, tooMany };
}

export function release(photos: readonly PickedPhoto[]): void {
  for (const photo of photos) URL.revokeObjectURL(photo.previewUrl);
}
