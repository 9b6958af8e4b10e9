import { readFileSync } from 'node:fs';
import { MAIL_KINDS, type MailKind } from '../outbox/outbox-mail.js';

/** The parts of one mail, ready for the transport. */
export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** HTML-escapes a value for text or a quoted attribute (OWASP's five characters). */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Fills `{{name}}` placeholders, passing every value through `escape`. A placeholder without a
 * value is a bug in the caller, not something to send half-filled.
 */
export function fill(
  template: string,
  values: Readonly<Record<string, string>>,
  escape: (value: string) => string,
): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`mail template wants {{${name}}}`);
    return escape(value);
  });
}

const asIs = (value: string): string => value;

/**
 * The mails' templates: `<kind>.txt` (first line `Subject: …`) and `<kind>.html`, inside
 * `layout.html`, read once from the files beside this module. Every value is HTML-escaped in
 * the HTML part; the plain-text part is plain text, where nothing needs escaping.
 */
export class MailTemplates {
  private constructor(
    private readonly layout: string,
    private readonly parts: ReadonlyMap<MailKind, { subject: string; text: string; html: string }>,
  ) {}

  static load(directory: URL = new URL('./', import.meta.url)): MailTemplates {
    const read = (name: string): string => readFileSync(new URL(name, directory), 'utf8');
    const parts = new Map(
      MAIL_KINDS.map((kind) => {
        const [first = '', ...rest] = read(`${kind}.txt`).split('\n');
        const subject = /^Subject: (.+)$/.exec(first)?.[1];
        if (!subject) throw new Error(`${kind}.txt must start with "Subject: …"`);
        return [kind, { subject, text: rest.join('\n').trim(), html: read(`${kind}.html`) }];
      }),
    );
    return new MailTemplates(read('layout.html'), parts);
  }

  render(kind: MailKind, values: Readonly<Record<string, string>>): RenderedMail {
    const part = this.parts.get(kind);
    if (!part) throw new Error(`no templates for ${kind}`);
    const subject = fill(part.subject, values, asIs);
    const content = fill(part.html, values, escapeHtml);
    // The layout's own slots: the subject (escaped), then the already-escaped content as it is.
    const html = fill(
      this.layout.replace('{{{content}}}', '\u0000'),
      { subject },
      escapeHtml,
    ).replace('\u0000', content);
    return { subject, text: `${fill(part.text, values, asIs)}\n`, html };
  }
}
