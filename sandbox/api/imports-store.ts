/** Import requests created by the write operations, moving queued → processing → done over `importDelayMs`. */

import { randomUUID } from 'node:crypto';

export interface CreatedDocument {
  type: string;
  refNumber: string;
  date: string;
}

export interface ImportRequest {
  requestId: string;
  companyUuid: string;
  type: string;
  createdAt: number;
  documents: CreatedDocument[];
}

export type ImportStatus = 'queued' | 'processing' | 'done';

export class ImportStore {
  private readonly requests = new Map<string, ImportRequest>();

  constructor(private readonly delayMs: number) {}

  create(companyUuid: string, type: string, documents: CreatedDocument[]): ImportRequest {
    const request = { requestId: randomUUID(), companyUuid, type, createdAt: Date.now(), documents };
    this.requests.set(request.requestId, request);
    return request;
  }

  get(requestId: string): ImportRequest | undefined {
    return this.requests.get(requestId);
  }

  status(request: ImportRequest): ImportStatus {
    const elapsed = Date.now() - request.createdAt;
    if (elapsed >= this.delayMs) return 'done';
    return elapsed >= this.delayMs / 2 ? 'processing' : 'queued';
  }

  /** Whole seconds until the request is done, at least 1 (for Retry-After). */
  secondsLeft(request: ImportRequest): number {
    return Math.max(1, Math.ceil((request.createdAt + this.delayMs - Date.now()) / 1000));
  }
}
