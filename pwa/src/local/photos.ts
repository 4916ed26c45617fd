/**
 * Photos from the camera or gallery, downscaled on the device before they
 * are kept or sent: at most 1600 px on the long side, re-encoded as JPEG.
 * Re-encoding through a canvas also drops EXIF (the location!). Documents (PDF)
 * are kept as they are. The bytes are kept sealed in the `photos` store until
 * the upload succeeds.
 */
import { getBytes, putBytes, writeBatch } from "../db/database";
import type { PendingPhoto } from "../sync/outbox";
import { uuidv7 } from "./ids";

export const MAX_EDGE = 1600;
export const JPEG_QUALITY = 0.85;

export function fitWithin(width: number, height: number, max: number = MAX_EDGE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function downscale(file: Blob): Promise<{ blob: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const { width, height } = fitWithin(bitmap.width, bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2d canvas");
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
  if (!blob) throw new Error("JPEG encoding failed");
  return { blob, width, height };
}

/** Downscales and stores one photo for `roomId`; answers its outbox description. */
export async function addPhoto(roomId: string, file: Blob): Promise<PendingPhoto> {
  const { blob, width, height } = await downscale(file);
  const localId = uuidv7();
  await putBytes(localId, await blob.arrayBuffer(), roomId);
  return { localId, contentType: "image/jpeg", width, height };
}

/** Stores one document (a PDF, kept byte for byte) for `roomId`; answers its outbox description. */
export async function addDocument(roomId: string, file: File): Promise<PendingPhoto> {
  const localId = uuidv7();
  await putBytes(localId, await file.arrayBuffer(), roomId);
  return { localId, contentType: "application/pdf", width: 0, height: 0, document: { name: file.name || "document.pdf", size: file.size } };
}

export async function removePhotos(localIds: string[]): Promise<void> {
  await writeBatch(localIds.map((id) => ({ store: "photos" as const, op: "del" as const, id })));
}

const urls = new Map<string, string>();

/** A blob: URL for a photo still on the device (revoked on lock). */
export async function localPhotoUrl(localId: string): Promise<string | null> {
  const cached = urls.get(localId);
  if (cached) return cached;
  const bytes = await getBytes(localId);
  if (!bytes) return null;
  const url = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
  urls.set(localId, url);
  return url;
}

export function revokeLocalPhotoUrls(): void {
  for (const url of urls.values()) URL.revokeObjectURL(url);
  urls.clear();
}
