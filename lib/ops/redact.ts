/** What replaces a secret in anything the scripts print. */
export const MASK = '****';

/** `scheme://user:password@` → `scheme://user:****@`, whatever the password, in any text. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@]*@/gi;

/**
 * `password=...` in a URL query (`?password=x&...`, JDBC `;password=x`) or a libpq keyword string
 * (`host=h password='x y'`): the value, quoted or not, whatever the case of the key.
 */
const KEYWORD_PASSWORD = /\b((?:[a-z_]*password|pwd)\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&;]*)/gi;

/**
 * Any text with the password of every `scheme://user:password@`, and every `password=` value of a URL query, JDBC URL
 * or keyword connection string, replaced by {@link MASK}.
 */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_USERINFO, `$1:${MASK}@`).replace(KEYWORD_PASSWORD, `$1${MASK}`);
}

/**
 * Removes known secrets from text before it is printed. Every password the scripts read is added here as soon as it
 * is known, in the spellings it can take in output (plain, percent-encoded, JSON-escaped), so that neither our own
 * messages nor those of a library (pg, the AWS SDK) can show it.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (!secret) return;
    for (const form of [secret, encodeURIComponent(secret), encodeURI(secret), JSON.stringify(secret).slice(1, -1)]) {
      if (form.length > 0) this.secrets.add(form);
    }
  }

  redact(text: string): string {
    // Longest first, so that a secret containing another one is masked whole.
    const secrets = [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const secret of secrets) out = out.split(secret).join(MASK);
    return maskUrlPasswords(out);
  }
}
