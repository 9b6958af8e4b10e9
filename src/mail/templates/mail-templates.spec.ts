import { describe, expect, it } from '@jest/globals';
import { MAIL_KINDS } from '../outbox/outbox-mail.js';
import { escapeHtml, fill, MailTemplates } from './mail-templates.js';

const VALUES = {
  username: 'john',
  email: 'john@example.com',
  link: 'https://auth.example.com/password/reset#token=abc',
  expires: '1 hour',
  when: '2026-11-30 10:00 UTC',
};

describe('mail templates', () => {
  const templates = MailTemplates.load();

  it('exist for every kind of mail, with a subject, a text part and an HTML part', () => {
    for (const kind of MAIL_KINDS) {
      const mail = templates.render(kind, VALUES);
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.text).not.toMatch(/\{\{|Subject:/);
      expect(mail.html).toMatch(/^<!doctype html>/);
      expect(mail.html).not.toMatch(/\{\{/);
    }
  });

  it('HTML-escape every value in the HTML part, and keep the text part plain', () => {
    const hostile = {
      ...VALUES,
      username: '<script>alert(1)</script>',
      email: '"><img src=x onerror=alert(1)>@example.com',
      link: 'https://auth.example.com/password/reset#token=a"b<c>&d',
    };
    const mail = templates.render('password_reset', hostile);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain(
      'href="https://auth.example.com/password/reset#token=a&quot;b&lt;c&gt;&amp;d"',
    );
    expect(mail.text).toContain('Hello <script>alert(1)</script>,');
    const taken = templates.render('email_taken', hostile);
    expect(taken.html).not.toContain('<img');
  });

  it('carry the link in both parts', () => {
    const mail = templates.render('email_verification', VALUES);
    expect(mail.text).toContain(VALUES.link);
    expect(mail.html).toContain(`href="${VALUES.link}"`);
  });

  it('refuse to render with a value missing', () => {
    expect(() => fill('Hello {{username}}', {}, escapeHtml)).toThrow(/username/);
  });

  it('escape the five HTML characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
