/**
 * Picks the closest language we speak for a platform's language tag (`pt-br`, `fa-AF`,
 * `zh-Hans-CN`, `pt_PT`): the exact tag first, then its language alone.
 */
export function guessLocale(hint: string | undefined, supported: readonly string[], fallback: string): string {
  if (!hint) return fallback;
  const parts = hint.replace(/_/g, '-').split('-').filter(Boolean);
  const lower = new Map(supported.map((l) => [l.toLowerCase(), l]));
  for (let n = parts.length; n > 0; n -= 1) {
    const found = lower.get(parts.slice(0, n).join('-').toLowerCase());
    if (found) return found;
  }
  return fallback;
}

/**
 * Country calling codes whose main language we can offer as a first guess for WhatsApp, where
 * the number is the only hint. The person confirms or changes it in the first message.
 */
const callingCodeLanguage: ReadonlyArray<readonly [string, string]> = [
  ['351', 'pt'],
  ['55', 'pt-BR'],
  ['244', 'pt'],
  ['238', 'pt'],
  ['258', 'pt'],
  ['34', 'es'],
  ['33', 'fr'],
  ['49', 'de'],
  ['43', 'de'],
  ['39', 'it'],
  ['30', 'el'],
  ['40', 'ro'],
  ['380', 'uk'],
  ['7', 'ru'],
  ['355', 'sq'],
  ['90', 'tr'],
  ['20', 'ar'],
  ['212', 'ar'],
  ['213', 'ar'],
  ['216', 'ar'],
  ['963', 'ar'],
  ['964', 'ar'],
  ['98', 'fa'],
  ['93', 'fa'],
  ['92', 'ur'],
  ['91', 'hi'],
  ['880', 'bn'],
  ['977', 'ne'],
  ['86', 'zh'],
  ['291', 'ti'],
  ['251', 'am'],
  ['252', 'so'],
];

/** A language tag guessed from an international phone number (digits only, no plus). */
export function localeHintFromPhone(phone: string): string | undefined {
  // Longer codes first, so 351 wins over 35 and 380 over 38.
  const match = [...callingCodeLanguage].sort((a, b) => b[0].length - a[0].length).find(([code]) => phone.startsWith(code));
  return match?.[1];
}
