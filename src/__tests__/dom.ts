/** Tiny DOM helpers instead of jest-dom matchers. */
export function checked(el: HTMLElement): boolean {
  return (el as HTMLInputElement).checked;
}

export function disabled(el: HTMLElement): boolean {
  return (el as HTMLButtonElement | HTMLInputElement).disabled;
}

export function value(el: HTMLElement): string {
  return (el as HTMLInputElement).value;
}
