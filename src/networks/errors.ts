/** A bad model, found while loading or first running it: the message names the file. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}
