import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DeadLetter, DeadLetterFilter, DeadLetterPayload } from './dead-letter';
import type {
  DeadLetterPage,
  DeadLetterStore,
  ReplayResult,
  ReplaySelection,
} from './dead-letter-store';
import { DEAD_LETTER_STORE, DEAD_LETTERS_OPTIONS } from './dead-letters.tokens';

export interface ResolvedDeadLettersOptions {
  group: string;
  /** How often the pending-depth gauge is refreshed in the background; 0 turns it off. */
  depthRefreshMs: number;
}

/** One service's dead letters: the store, scoped to the service's group. */
@Injectable()
export class DeadLettersService implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(DEAD_LETTER_STORE) private readonly store: DeadLetterStore,
    @Inject(DEAD_LETTERS_OPTIONS) private readonly options: ResolvedDeadLettersOptions,
  ) {}

  onModuleInit(): void {
    if (this.options.depthRefreshMs <= 0) return;
    this.timer = setInterval(() => {
      // Only refreshes the gauge; a failed scan (broker down) is simply tried again later.
      this.store.refreshDepth().catch(() => undefined);
    }, this.options.depthRefreshMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.store.close();
  }

  get group(): string {
    return this.options.group;
  }

  /** One page (see `DeadLetterStore.listPage`). */
  list(
    filter: Omit<DeadLetterFilter, 'group'>,
    page: { limit: number; cursor?: string | null },
  ): Promise<DeadLetterPage> {
    return this.store.listPage({ ...filter, group: this.options.group }, page);
  }

  async get(
    id: string,
    payload: boolean,
  ): Promise<(DeadLetter & { payload?: DeadLetterPayload }) | null> {
    const letter = await this.store.get(id, { payload });
    return letter && letter.group === this.options.group ? letter : null;
  }

  /** With `shop`, letters of other shops count as not found (a credential limited to shops). */
  replay(selection: ReplaySelection, shop?: string): Promise<ReplayResult> {
    return this.store.replay(selection, { group: this.options.group, shop });
  }
}
