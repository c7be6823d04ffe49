/**
 * The procedure catalogue's shapes (TypeBox), one schema each: a procedure as the catalogue files
 * and the central side describe it, the file that holds them, and the answer of GET /procedures.
 * The file schema is a JSON Schema: config/procedures/procedures.schema.json is generated from it.
 */
import Type, { type Static } from 'typebox';
import { Str } from '../schema.ts';

const Count = Type.Integer({ minimum: 0, maximum: 100 });

/** National procedure code (mã thủ tục), e.g. 1.001193, optionally with its local suffix (1.001193.000.00.00.H12). */
export const ProcedureCode = Type.String({ pattern: '^[0-9]{1,3}(\\.[0-9A-Za-z]{1,12}){1,6}$', maxLength: 64, description: 'National procedure code (mã thủ tục), e.g. 1.001193.' });

export const ProcedureComponent = Type.Object(
  {
    name: Str(300, { description: 'Thành phần hồ sơ as the procedure lists it.' }),
    originals: Count,
    copies: Count,
    required: Type.Optional(Type.Boolean({ description: 'false for papers needed only in some cases (the note says which); default true.' })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ProcedureComponent = Static<typeof ProcedureComponent>;

export const FeeItem = Type.Object(
  {
    name: Str(200, { description: 'Phí or lệ phí, e.g. "Lệ phí đăng ký hộ kinh doanh".' }),
    amount: Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), Type.Null()], {
      description: 'VND; null = "theo quy định": the clerk enters the amount.',
    }),
  },
  { additionalProperties: false },
);
export type FeeItem = Static<typeof FeeItem>;

export const Procedure = Type.Object(
  {
    code: ProcedureCode,
    name: Str(500),
    nameEn: Type.Optional(Type.String({ maxLength: 500 })),
    field: Str(200, { description: 'Lĩnh vực, e.g. Hộ tịch.' }),
    agency: Str(200, { description: 'Cơ quan thực hiện.' }),
    processingDays: Type.Integer({ minimum: 0, maximum: 365, description: 'Processing time in working days (0 = returned the same day).' }),
    processingHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, description: 'Processing time in working hours, for procedures counted in hours; wins over processingDays.' })),
    components: Type.Array(ProcedureComponent, { minItems: 1, maxItems: 60 }),
    fees: Type.Optional(Type.Array(FeeItem, { maxItems: 20, description: 'Default: none.' })),
    returnMethods: Type.Optional(Type.Array(Type.Union([Type.Literal('counter'), Type.Literal('post')]), { minItems: 1, uniqueItems: true, description: 'Default: counter and post.' })),
    source: Type.Optional(Type.String({ maxLength: 500, description: 'Legal basis and where the entry was taken from.' })),
  },
  { additionalProperties: false },
);
export type Procedure = Static<typeof Procedure>;

/** One catalogue file (YAML in the config folder, or the JSON the central side serves). */
export const CatalogueFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    procedures: Type.Array(Procedure, { maxItems: 20000 }),
  },
  { additionalProperties: false, title: 'hcc-agent procedure catalogue', description: 'Administrative procedures (thủ tục hành chính) a desk receives dossiers for.' },
);
export type CatalogueFile = Static<typeof CatalogueFile>;

export const ProcedureQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Code, or words of the name or field, with or without diacritics.' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  },
  { additionalProperties: false },
);

export const ProceduresAnswer = Type.Object({
  items: Type.Array(Procedure),
  total: Type.Integer({ description: 'Matches in all (items holds at most `limit`).' }),
  catalogue: Type.Object({
    size: Type.Integer(),
    source: Type.String({ description: 'files, or central (refreshed from procedures.url), or cache (the last central copy, kept on disk).' }),
    updatedAt: Type.Optional(Type.String()),
  }),
});
export type ProceduresAnswer = Static<typeof ProceduresAnswer>;
