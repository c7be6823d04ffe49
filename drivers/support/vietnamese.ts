/** The Vietnamese alphabet, generated from its rules so no letter can be forgotten. */

/** The 12 vowel bases and the 5 tone marks (huyền, sắc, hỏi, ngã, nặng) as combining characters. */
export const VOWEL_BASES = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'] as const;
export const TONE_MARKS = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'] as const;
export const CONSONANTS = ['b', 'c', 'd', 'đ', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'q', 'r', 's', 't', 'v', 'x'] as const;

/** Every vowel in every tone (level tone included), lower case, NFC: 72 letters. */
export function vowelsLower(): string[] {
  const out: string[] = [];
  for (const b of VOWEL_BASES) {
    out.push(b);
    for (const t of TONE_MARKS) out.push((b + t).normalize('NFC'));
  }
  return out;
}

/** All letters, lower and upper case: 72 vowels + 17 consonants, times two = 178. */
export function allLetters(): string[] {
  const lower = [...vowelsLower(), ...CONSONANTS];
  return [...lower, ...lower.map((c) => c.toUpperCase())];
}

/** The letters with a diacritic (tone, breve, circumflex, horn or stroke): 134, as in the issue. */
export function markedLetters(): string[] {
  return allLetters().filter((c) => c.normalize('NFD').length > 1 || c === 'đ' || c === 'Đ');
}
