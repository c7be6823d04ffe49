/** GET /api/v1/dossiers/:code: the central status, or what this desk recorded when the central side cannot be reached. */
export interface DossierStatus {
  code: string;
  centralReachable: boolean;
  status?: string;
  statusText?: string;
  statusTextVi?: string;
  appointmentAt?: string;
  updatedAt?: string;
  local: {
    receivedAt?: string;
    appointmentAt?: string;
    returnMethod?: string;
    receiptPrintJobId?: string;
    returnedAt?: string;
    returnedBy?: string;
    postalItem?: string;
  } | null;
  message?: string;
  messageVi?: string;
}
