import { useEffect, useState } from 'react';
import type { RunEvent } from '../events/index.js';
import { applyEvent, emptyRunState, type RunState } from './run-state.js';

/** The run state plus its subscribers; the Ink logger feeds it events. */
export class RunStore {
  readonly state: RunState = emptyRunState();
  private readonly listeners = new Set<(urgent: boolean) => void>();

  push(e: RunEvent): void {
    applyEvent(this.state, e);
    // The end of a run is drawn at once; everything else waits for the next frame.
    const urgent = e.type === 'run-finish';
    for (const l of this.listeners) l(urgent);
  }

  subscribe(listener: (urgent: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Redraws from a RunStore at most every `frameMs` (events can come thousands a second) and at
 * least once a second while running, so elapsed times and ETAs tick.
 */
export function useRunState(store: RunStore, frameMs = 100): { state: RunState; now: number } {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let dirty = false;
    let lastDraw = 0;
    const draw = () => {
      dirty = false;
      lastDraw = Date.now();
      setNow(lastDraw);
    };
    const unsubscribe = store.subscribe((urgent) => {
      dirty = true;
      if (urgent) draw();
    });
    const timer = setInterval(() => {
      if (dirty || Date.now() - lastDraw >= 1000) draw();
    }, frameMs);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [store, frameMs]);
  return { state: store.state, now };
}
