/**
 * Settings the server writes into the page shell (not secrets, not user data): today whether
 * registration is open, so the pages do not offer a form the API would refuse.
 */
export function registrationOpen(): boolean {
  return document.querySelector('meta[name="gatehouse-registration"]')?.getAttribute('content') !== 'closed'
}
