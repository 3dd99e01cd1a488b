import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** Re-render the calling component whenever `signal` fires. */
export function useModelState<T>(signal: ISignal<T, void>): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const slot = () => setTick(t => t + 1);
    signal.connect(slot);
    return () => {
      signal.disconnect(slot);
    };
  }, [signal]);
}
