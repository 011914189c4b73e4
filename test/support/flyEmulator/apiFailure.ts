/** A refusal as the Machines API sends it: a status and `{"error": "...", "status"?: "..."}`. */
export class ApiFailure extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly flyStatus?: string,
  ) {
    super(message);
  }

  body(): { error: string; status?: string } {
    return this.flyStatus === undefined ? { error: this.message } : { error: this.message, status: this.flyStatus };
  }
}

export const badRequest = (message: string) => new ApiFailure(400, message);
export const notFound = (what: string) => new ApiFailure(404, `${what} not found`);
export const conflict = (message: string) => new ApiFailure(409, message);
export const preconditionFailed = (message: string) => new ApiFailure(412, message);
export const unprocessable = (message: string, flyStatus?: string) => new ApiFailure(422, message, flyStatus);

/** A GraphQL error: answered with HTTP 200 and an `errors` array, as Fly's GraphQL endpoint does. */
export class GraphqlFailure extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
