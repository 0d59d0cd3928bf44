import { RunView } from './RunView.js';
import { useRunState, type RunStore } from './use-run-state.js';

/** The live Ink app of `synx run`: redraws RunView from a store the executor's events fill. */
export function RunApp({ store, width }: { readonly store: RunStore; readonly width: number }) {
  const { state, now } = useRunState(store);
  return <RunView state={state} now={now} width={width} />;
}
