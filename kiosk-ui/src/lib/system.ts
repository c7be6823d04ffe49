/** The agent's health and devices as the admin page sees them: the agent's own types (only the types are imported: nothing of the server goes into a page). */
export type { DeviceInfo } from '../../../src/devices.ts';
export type { HealthAnswer } from '../../../src/health.ts';
