import { readFileSync } from 'node:fs'
import { join } from 'node:path'

// Messages are rendered from small templates with {{name}} placeholders. Every value is escaped for
// HTML in the HTML body and stripped of line breaks in the subject, so a username such as
// "<a href=…>" or one carrying a CR LF can neither inject markup nor a header. An operator replaces
// any template with <kind>.subject, <kind>.txt or <kind>.html in GATEHOUSE_TEMPLATES_DIR.

/** Every message Gatehouse sends. */
export type EmailKind =
  | 'verify_email'
  | 'email_change_confirm'
  | 'email_change_notice'
  | 'password_reset'
  | 'password_changed'
  | 'test'

/** The values a template may use; missing ones render as empty text. */
export type TemplateValues = Partial<
  Record<'app_name' | 'username' | 'link' | 'code' | 'minutes' | 'new_email' | 'email', string>
>

/** A rendered message, ready for the outbox. */
export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

interface Template {
  subject: string
  text: string
}

const IGNORE = '\n\nIf this was not you, you can ignore this message.'

const BUILT_IN: Record<EmailKind, Template> = {
  verify_email: {
    subject: 'Confirm your email address for {{app_name}}',
    text:
      'Hello {{username}},\n\nConfirm this address for your {{app_name}} account: open the link below and ' +
      'press the button on the page, or enter the code.\n\n{{link}}\n\nCode: {{code}}\n\n' +
      'The link and the code expire in {{minutes}} minutes.' +
      IGNORE,
  },
  email_change_confirm: {
    subject: 'Confirm your new email address for {{app_name}}',
    text:
      'Hello {{username}},\n\nYou asked to use this address for your {{app_name}} account. Open the link ' +
      'below and press the button on the page, or enter the code, to confirm it.\n\n{{link}}\n\n' +
      'Code: {{code}}\n\nThe link and the code expire in {{minutes}} minutes.' +
      IGNORE,
  },
  email_change_notice: {
    subject: 'Your {{app_name}} email address is being changed',
    text:
      'Hello {{username}},\n\nSomeone signed in to your {{app_name}} account asked to change its email ' +
      'address to {{new_email}}. The change takes effect only once the new address is confirmed.\n\n' +
      'If this was not you, change your password now.',
  },
  password_reset: {
    subject: 'Reset your {{app_name}} password',
    text:
      'Hello {{username}},\n\nSomeone asked to reset the password of your {{app_name}} account. Open the ' +
      'link below and choose a new password, or enter the code.\n\n{{link}}\n\nCode: {{code}}\n\n' +
      'The link and the code expire in {{minutes}} minutes.' +
      IGNORE,
  },
  password_changed: {
    subject: 'Your {{app_name}} password was changed',
    text:
      'Hello {{username}},\n\nThe password of your {{app_name}} account was just changed, and every ' +
      'session was signed out.\n\nIf this was not you, reset your password now and tell your administrator.',
  },
  test: {
    subject: '{{app_name}} test message',
    text: 'This is a test message from {{app_name}}. Mail delivery works.',
  },
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}

// Line breaks and other controls never reach a header or a text body from a value.
const stripControls = (text: string) => text.replace(/\p{Cc}/gu, ' ')

function fill(template: string, values: TemplateValues, escape: (value: string) => string): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_match, name: string) =>
    escape(values[name as keyof TemplateValues] ?? ''),
  )
}

// The built-in HTML body: the text body, escaped, with the link made clickable. Built from the
// escaped text, so nothing user-supplied is ever markup.
function htmlFromText(text: string, values: TemplateValues): string {
  const escapedLink = values.link === undefined ? undefined : escapeHtml(values.link)
  let body = escapeHtml(text)
  if (escapedLink) body = body.replace(escapedLink, `<a href="${escapedLink}">${escapedLink}</a>`)
  const paragraphs = body
    .split('\n\n')
    .map((paragraph) => `<p>${paragraph.replaceAll('\n', '<br>')}</p>`)
    .join('\n')
  return `<!doctype html>\n<html><body style="font-family: sans-serif">\n${paragraphs}\n</body></html>\n`
}

function readOverride(directory: string | undefined, file: string): string | undefined {
  if (directory === undefined) return undefined
  try {
    return readFileSync(join(directory, file), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Renders one message from the built-in templates or the operator's overrides. */
export function renderEmail(
  kind: EmailKind,
  values: TemplateValues,
  templatesDirectory: string | undefined,
): RenderedEmail {
  const builtIn = BUILT_IN[kind]
  const subjectTemplate = readOverride(templatesDirectory, `${kind}.subject`)?.trim() ?? builtIn.subject
  const textTemplate = readOverride(templatesDirectory, `${kind}.txt`) ?? builtIn.text
  const htmlTemplate = readOverride(templatesDirectory, `${kind}.html`)
  const subject = fill(subjectTemplate, values, (value) => stripControls(value)).replace(/\s+/g, ' ')
  const text = fill(textTemplate, values, (value) => stripControls(value))
  const html =
    htmlTemplate === undefined
      ? htmlFromText(text, values)
      : fill(htmlTemplate, values, (value) => escapeHtml(stripControls(value)))
  return { subject, text, html }
}
