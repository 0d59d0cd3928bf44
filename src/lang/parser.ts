import type { CstNode, IToken, TokenType } from 'chevrotain';
import { CstParser } from './chevrotain.js';
import * as T from './tokens.js';

/** Names that start a top-level setting, so a `with` option list or `eval` list stops before them. */
export const SETTING_NAMES = new Set(['seed', 'image', 'model', 'dims', 'center', 'maps']);

const SEPARATOR_OR_END = new Set<TokenType>([T.Comma, T.Newline, T.RBrace, T.With]);

/**
 * The synexp grammar. Clauses are separated by commas or newlines; a clause is
 *   sample N ids [x M imgs]            the synthetic set
 *   pretrain|train|finetune|eval ARGS [with OPTION, ...]
 *   NAME ~ VALUE                        a rendering parameter's distribution
 *   NAME VALUE...                       a setting (seed, image, model, dims, center, maps)
 * Commas inside an `eval` list or a `with` option list continue the clause while the next item is
 * a lone name, so `pretrain 1M with nn4-small, triplet, epochs 10, finetune casia 10%` reads as
 * the user means it. Built once per process; `parse()` reuses it.
 */
class SynexpParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: 'full' });
    this.performSelfAnalysis();
  }

  /** Is the comma at LA(1) followed by a lone name that continues the current list? */
  private continuesList(): boolean {
    if (this.LA(1).tokenType !== T.Comma) return false;
    const next = this.LA(2);
    if (next.tokenType !== T.Identifier || SETTING_NAMES.has(next.image)) return false;
    const after = this.LA(3).tokenType;
    return SEPARATOR_OR_END.has(after) || after.name === 'EOF';
  }

  /** Is the comma at LA(1) followed by an option (a name not starting a clause of its own)? */
  private continuesOptions(): boolean {
    if (this.LA(1).tokenType !== T.Comma) return false;
    const next = this.LA(2);
    if (next.tokenType !== T.Identifier || SETTING_NAMES.has(next.image)) return false;
    return this.LA(3).tokenType !== T.Tilde;
  }

  public file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.separator) },
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.clause) },
      ]);
    });
  });

  public separator = this.RULE('separator', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Newline) }]);
  });

  public importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  public block = this.RULE('block', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Experiment) },
      { ALT: () => this.CONSUME(T.Preset) },
      { ALT: () => this.CONSUME(T.Testset) },
    ]);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Extends);
      this.CONSUME2(T.Identifier, { LABEL: 'base' });
    });
    this.MANY(() => this.CONSUME(T.Newline));
    this.CONSUME(T.LBrace);
    this.MANY2(() => {
      this.OR2([
        { ALT: () => this.SUBRULE(this.separator) },
        { ALT: () => this.SUBRULE(this.clause) },
      ]);
    });
    this.CONSUME(T.RBrace);
  });

  public clause = this.RULE('clause', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.sampleClause) },
      { ALT: () => this.SUBRULE(this.stageClause) },
      { ALT: () => this.SUBRULE(this.paramClause) },
      { ALT: () => this.SUBRULE(this.settingClause) },
    ]);
  });

  public sampleClause = this.RULE('sampleClause', () => {
    this.CONSUME(T.Sample);
    this.SUBRULE(this.value, { LABEL: 'ids' });
    this.CONSUME(T.Ids);
    this.OPTION(() => {
      this.CONSUME(T.X);
      this.SUBRULE2(this.value, { LABEL: 'imgs' });
      this.CONSUME(T.Imgs);
    });
  });

  public stageClause = this.RULE('stageClause', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Pretrain) },
      { ALT: () => this.CONSUME(T.Train) },
      { ALT: () => this.CONSUME(T.Finetune) },
      { ALT: () => this.CONSUME(T.Eval) },
    ]);
    this.MANY(() => this.SUBRULE(this.value, { LABEL: 'args' }));
    this.MANY2({
      GATE: () => this.continuesList(),
      DEF: () => {
        this.CONSUME(T.Comma, { LABEL: 'listComma' });
        this.SUBRULE2(this.value, { LABEL: 'args' });
      },
    });
    this.OPTION(() => {
      this.CONSUME(T.With);
      this.SUBRULE(this.optionItem);
      this.MANY3({
        GATE: () => this.continuesOptions(),
        DEF: () => {
          this.CONSUME2(T.Comma);
          this.SUBRULE2(this.optionItem);
        },
      });
    });
  });

  public optionItem = this.RULE('optionItem', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.value));
  });

  public paramClause = this.RULE('paramClause', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Tilde);
    this.SUBRULE(this.value);
  });

  /** A setting; it also takes the words `ids`, `imgs` and `x`, so a misspelt `sampel 10k ids`
   * parses and the checker can say "did you mean 'sample'?". */
  public settingClause = this.RULE('settingClause', () => {
    const name = this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.value) },
        { ALT: () => this.CONSUME(T.Ids, { LABEL: 'word' }) },
        { ALT: () => this.CONSUME(T.Imgs, { LABEL: 'word' }) },
        { ALT: () => this.CONSUME(T.X, { LABEL: 'word' }) },
      ]);
    });
    // `maps depth, normal`: a list of names, written with commas as `eval` lists are. Only for
    // `maps`, so a missing separator after another setting still reads as two clauses.
    this.MANY2({
      GATE: () => name.image === 'maps' && this.continuesList(),
      DEF: () => {
        this.CONSUME(T.Comma, { LABEL: 'listComma' });
        this.SUBRULE2(this.value);
      },
    });
  });

  public value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.sweep) },
      { ALT: () => this.SUBRULE(this.atom) },
    ]);
  });

  public sweep = this.RULE('sweep', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.CONSUME(T.Newline));
    this.SUBRULE(this.atom);
    this.MANY2(() => {
      this.CONSUME(T.Comma);
      this.MANY3(() => this.CONSUME2(T.Newline));
      this.SUBRULE2(this.atom);
    });
    this.MANY4(() => this.CONSUME3(T.Newline));
    this.CONSUME(T.RBrace);
  });

  public atom = this.RULE('atom', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.UnterminatedString) },
      { ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.SUBRULE(this.namedChoice) },
    ]);
  });

  public call = this.RULE('call', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.arg);
      });
    });
    this.CONSUME(T.RParen);
  });

  /** `0.6 U(-90, 90)` (weight, then value) or a lone value. */
  public arg = this.RULE('arg', () => {
    this.SUBRULE(this.value);
    this.OPTION(() => this.SUBRULE2(this.value, { LABEL: 'weighted' }));
  });

  /** A named choice, with an optional string argument: `noise`, `prior "folder"`. */
  public namedChoice = this.RULE('namedChoice', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLit));
  });
}

export const parser = new SynexpParser();

export type { CstNode, IToken };
