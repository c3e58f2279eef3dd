// Settings the server writes into the page shell (not secrets, not user data), so the pages do not
// offer a form the API would refuse.

function setting(name: string): string | null | undefined {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute('content')
}

/** Whether registration is open (GATEHOUSE_REGISTRATION). */
export function registrationOpen(): boolean {
  return setting('gatehouse-registration') !== 'closed'
}

/** Whether an account must have an email address (GATEHOUSE_REQUIRE_EMAIL). */
export function emailRequired(): boolean {
  return setting('gatehouse-email') === 'required'
}
