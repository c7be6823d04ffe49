/** GET /api/v1/dossiers/:code: the central status, or what this desk recorded when the central side cannot be reached (the agent's own type; only the type is imported). */
export type { Applicant, DossierStatus, FlowAnswer, ReceiveBody, ReturnBody, ReturnMethod } from '../../../src/dossier/schemas.ts';
export type { CitizenId } from '../../../src/dossier/codes.ts';
