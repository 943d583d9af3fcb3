/**
 * The agent's prime (`tools.md` §2, `http-api.md` §4.3 P`/prime`): every fetch, by the context
 * hooks or the `gt_prime` tool, goes through here, so the plugin remembers the bead hooked at the
 * last prime and `gt_done` can report it as `bead_id`.
 */
import { Uuid } from '../../src/protocol/common.ts';
import type { GastownApi } from './api-client.ts';
import { fieldOf, stringField } from './json-fields.ts';

/** Fetches prime and keeps the last hooked bead. */
export class PrimeSource {
  readonly #api: GastownApi;
  #hookedBeadId: string | undefined;

  constructor(api: GastownApi) {
    this.#api = api;
  }

  /** The hooked bead's id at the last successful prime (none before the first, or when none was hooked). */
  get hookedBeadId(): string | undefined {
    return this.#hookedBeadId;
  }

  /** `POST P/prime`; resolves with its data (the worker marks the returned mail delivered). */
  async fetch(signal?: AbortSignal): Promise<unknown> {
    const prime = await this.#api.call('POST', this.#api.agentPath('/prime'), undefined, signal === undefined ? {} : { signal });
    // A malformed id would make P/done a 400, so only a UUID is kept.
    const beadId = Uuid.safeParse(stringField(fieldOf(prime, 'hooked_bead'), 'id'));
    this.#hookedBeadId = beadId.success ? beadId.data : undefined;
    return prime;
  }
}
