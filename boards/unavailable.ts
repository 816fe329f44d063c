/**
 * Marks a primitive a board profile does not have yet. Calling it is a programming error on that board
 * (the firmware must not be configured to need it there), so it throws, naming the board and the call.
 * @module
 */
export function unavailable(board: string, fn: string): () => never {
  return () => {
    throw new Error(fn + ': not available on the ' + board + ' board');
  };
}
