export const NAME_RULE = /^[A-Za-z0-9._-]{1,32}$/;

/** What is wrong with a name and password's shape, for a person; null when nothing is. */
export function credentialsProblem(name: string, password: string): string | null {
  if (!NAME_RULE.test(name)) return 'A name is 1 to 32 letters, digits, dots, underscores or hyphens.';
  return passwordProblem(password);
}

export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  return length < 8 || length > 256 ? 'A password is 8 to 256 characters.' : null;
}
