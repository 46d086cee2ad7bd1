import type { LatLng } from '@gridline/core';
import { ApiError } from '../api/client.ts';
import { release, type PickedPhoto } from '../components/picked-photos.ts';
import { residentApi, type FiledReport } from './api.ts';
import {
  draftFingerprint,
  newIdempotencyKey,
  reportBody,
  reportProblems,
  type ReportDraft,
  type ReportProblem,
} from './report-draft.ts';

const STORAGE_KEY = 'gridline.report-draft';

export type ReportPhase = 'editing' | 'sending' | 'uploading' | 'done';

/** A filed report, or a followed one: its code and private token. */
export interface ReportReceipt {
  code: string;
  trackingToken: string;
  followed: boolean;
  photosFailed: number;
}

function emptyDraft(): ReportDraft {
  return { categoryCode: null, point: null, address: '', description: '', name: '', phone: '' };
}

function storedDraft(): ReportDraft {
  try {
    const text = globalThis.sessionStorage?.getItem(STORAGE_KEY);
    if (!text) return emptyDraft();
    return { ...emptyDraft(), ...(JSON.parse(text) as Partial<ReportDraft>) };
  } catch {
    return emptyDraft();
  }
}

/**
 * The report being written. It survives a failed send (and a reload, in
 * session storage); a retry of the same content reuses its Idempotency-Key,
 * so the server files it at most once.
 */
export class ReportForm {
  draft = $state<ReportDraft>(storedDraft());
  photos = $state<PickedPhoto[]>([]);
  phase = $state<ReportPhase>('editing');
  problems = $state.raw<ReportProblem[]>([]);
  failure = $state<ApiError | null>(null);
  uploaded = $state(0);
  receipt = $state<ReportReceipt | null>(null);

  #key: { fingerprint: string; value: string } | null = null;
  #filed: FiledReport | null = null;

  setPoint(point: LatLng): void {
    this.draft.point = { lat: point.lat, lng: point.lng };
    this.save();
  }

  save(): void {
    try {
      globalThis.sessionStorage?.setItem(STORAGE_KEY, JSON.stringify(this.draft));
    } catch {
      // Storage unavailable: the draft lives as long as the page.
    }
  }

  async submit(): Promise<void> {
    if (this.phase === 'sending' || this.phase === 'uploading') return;
    this.problems = reportProblems(this.draft);
    const body = reportBody(this.draft);
    if (!body) return;
    this.failure = null;
    const fingerprint = draftFingerprint(this.draft);
    if (this.#key?.fingerprint !== fingerprint) {
      this.#key = { fingerprint, value: newIdempotencyKey() };
    }
    this.phase = 'sending';
    try {
      this.#filed = await residentApi.report(body, this.#key.value);
    } catch (error) {
      this.failure = error instanceof ApiError ? error : new ApiError(0, 'NETWORK', String(error));
      this.phase = 'editing';
      return;
    }
    await this.uploadPhotos();
  }

  /** Uploads the photos not uploaded yet; the report stands whatever happens to them. */
  async uploadPhotos(): Promise<void> {
    const filed = this.#filed;
    if (!filed) return;
    this.phase = 'uploading';
    let failed = 0;
    for (const photo of this.photos) {
      if (photo.uploaded) continue;
      try {
        await residentApi.uploadPhoto(filed.ticket.code, filed.trackingToken, photo.file);
        photo.uploaded = true;
        this.uploaded += 1;
      } catch {
        failed += 1;
      }
    }
    this.receipt = {
      code: filed.ticket.code,
      trackingToken: filed.trackingToken,
      followed: false,
      photosFailed: failed,
    };
    this.phase = 'done';
    if (failed === 0) this.#forgetDraft();
  }

  /** Follow a likely duplicate instead of filing this report. */
  async follow(ticketId: number): Promise<void> {
    if (this.phase !== 'editing') return;
    this.failure = null;
    this.phase = 'sending';
    try {
      const followed = await residentApi.follow(ticketId);
      this.receipt = { ...followed, followed: true, photosFailed: 0 };
      this.phase = 'done';
      this.#forgetDraft();
    } catch (error) {
      this.failure = error instanceof ApiError ? error : new ApiError(0, 'NETWORK', String(error));
      this.phase = 'editing';
    }
  }

  /** Start over for another report. */
  reset(): void {
    release(this.photos);
    this.photos = [];
    this.draft = emptyDraft();
    this.problems = [];
    this.failure = null;
    this.uploaded = 0;
    this.receipt = null;
    this.#key = null;
    this.#filed = null;
    this.phase = 'editing';
  }

  #forgetDraft(): void {
    try {
      globalThis.sessionStorage?.removeItem(STORAGE_KEY);
    } catch {
      // Nothing stored.
    }
  }
}
