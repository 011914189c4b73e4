/** What a redacted credential reads as. */
export const REDACTED = '***';

// scheme://[userinfo@]rest[?query]; userinfo may itself hold an unencoded "@" (the last one before the host counts).
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/(?:([^\s/?#"'<>]*)@)?([^\s?#"'<>]*)(\?[^\s#"'<>]*)?/gi;
const SECRET_PARAMETER = /token|secret|passw|pwd|credential|signature|^sig$|^auth|api[-_]?key|^key$/i;

/**
 * Every URL in `text` with its credentials replaced by "***": the password of user:password, a bare user part (often
 * a token, as in https://TOKEN@host) except an ssh:// login name, and the values of query parameters named like
 * secrets (token=, access_token=, password=, sig=…). For anything shown or logged that may hold a URL a user wrote.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_match, scheme: string, userinfo: string | undefined, rest: string, query: string | undefined) => {
    const credentials = userinfo === undefined ? '' : `${redactUserinfo(scheme, userinfo)}@`;
    return `${scheme}://${credentials}${rest}${query === undefined ? '' : redactQuery(query)}`;
  });
}

function redactUserinfo(scheme: string, userinfo: string): string {
  const separator = userinfo.indexOf(':');
  const user = separator < 0 ? userinfo : userinfo.slice(0, separator);
  const isLoginName = scheme.toLowerCase() === 'ssh';
  if (separator < 0) return isLoginName ? user : REDACTED;
  return isLoginName ? `${user}:${REDACTED}` : REDACTED;
}

function redactQuery(query: string): string {
  return query.replace(/([?&])([^=&]*)=([^&]*)/g, (parameter, separator: string, name: string) =>
    SECRET_PARAMETER.test(decodeName(name)) ? `${separator}${name}=${REDACTED}` : parameter,
  );
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
