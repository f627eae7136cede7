// A cheap, linear-time estimate of how many tokens a text costs a model, close to the BPE
// tokenizers of current models (fitted against o200k_base). Used to fit text into token budgets
// (the description's catalog, the text returned to the model) without shipping a tokenizer:
// real tokenizers weigh megabytes and cost more than the texts they would measure.

// Pieces as BPE pre-tokenizers cut them: a word with its leading space or punctuation mark,
// runs of up to three digits, runs of punctuation, runs of whitespace.
const PIECE =
  /[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

// Characters that BPE vocabularies rarely merge: CJK and other wide scripts, and emoji (as UTF-16 units).
const WIDE = /[\u2e80-\ud7ff\ud800-\udfff\uf900-\ufaff]/g;

/** Estimated tokens of `text`. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    const code = piece.charCodeAt(piece.length - 1);
    const wide = piece.match(WIDE)?.length ?? 0;
    if (wide > 0) {
      // CJK scripts and emoji: about one token per character.
      tokens += wide + Math.ceil((piece.length - wide) / 4);
    } else if (isLetterPiece(piece)) {
      // Common words are one token; long or rare ones split into pieces of about seven letters.
      tokens += piece.length <= 9 ? 1 : Math.ceil(piece.length / 7);
    } else if (code >= 48 && code <= 57) {
      tokens += 1;
    } else if (/^\s+$/.test(piece)) {
      tokens += 1;
    } else {
      // Punctuation merges less: about one token per four marks (JSON's `":"` and `","` are single tokens).
      tokens += Math.ceil(piece.length / 4);
    }
  }
  return tokens;
}

function isLetterPiece(piece: string): boolean {
  return /\p{L}$/u.test(piece);
}
