/** The queue's tables. Times are Unix milliseconds (UTC); `day` is the local day numbers belong to. */
export const QUEUE_MIGRATIONS = [
  `CREATE TABLE queue_numbering (
     day TEXT NOT NULL, prefix TEXT NOT NULL, last INTEGER NOT NULL,
     PRIMARY KEY (day, prefix));
   CREATE TABLE queue_tickets (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     day TEXT NOT NULL,
     number TEXT NOT NULL,
     service_id TEXT NOT NULL,
     priority TEXT,
     state TEXT NOT NULL CHECK (state IN ('waiting','called','completed','no-show')),
     pos INTEGER NOT NULL,
     counter_id TEXT,
     issued_at INTEGER NOT NULL,
     first_called_at INTEGER,
     called_at INTEGER,
     completed_at INTEGER,
     recalls INTEGER NOT NULL DEFAULT 0,
     transfers INTEGER NOT NULL DEFAULT 0,
     origin TEXT NOT NULL,
     print_job_id TEXT,
     UNIQUE (day, number));
   CREATE INDEX queue_tickets_line ON queue_tickets(day, state, service_id, pos);
   CREATE INDEX queue_tickets_counter ON queue_tickets(day, counter_id, state);
   CREATE TABLE queue_calls (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ticket_id INTEGER NOT NULL REFERENCES queue_tickets(id),
     day TEXT NOT NULL, number TEXT NOT NULL, service_id TEXT NOT NULL, counter_id TEXT NOT NULL,
     at INTEGER NOT NULL, recall INTEGER NOT NULL);
   CREATE INDEX queue_calls_day ON queue_calls(day, id);
   CREATE TABLE queue_counter_state (counter_id TEXT PRIMARY KEY, day TEXT NOT NULL, normals INTEGER NOT NULL);
   CREATE TABLE queue_ratings (
     ticket_id INTEGER PRIMARY KEY REFERENCES queue_tickets(id),
     counter_id TEXT NOT NULL, level TEXT NOT NULL, score INTEGER NOT NULL, at INTEGER NOT NULL);
   CREATE TABLE queue_blocks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     day TEXT NOT NULL, prefix TEXT NOT NULL, service_id TEXT NOT NULL,
     first INTEGER NOT NULL, last INTEGER NOT NULL, agent TEXT NOT NULL, reserved_at INTEGER NOT NULL);
   CREATE TABLE queue_client_blocks (
     host_block_id INTEGER PRIMARY KEY,
     day TEXT NOT NULL, service_id TEXT NOT NULL, prefix TEXT NOT NULL, width INTEGER NOT NULL,
     first INTEGER NOT NULL, last INTEGER NOT NULL, next INTEGER NOT NULL);
   CREATE TABLE queue_offline_tickets (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     block_id INTEGER NOT NULL, day TEXT NOT NULL, number TEXT NOT NULL, service_id TEXT NOT NULL,
     priority TEXT, issued_at INTEGER NOT NULL, synced INTEGER NOT NULL DEFAULT 0,
     UNIQUE (day, number));`,
  // Waiting counts per line, kept with every change: people-ahead and the board in O(1) however long the day.
  `CREATE TABLE queue_lines (
     day TEXT NOT NULL, service_id TEXT NOT NULL,
     waiting INTEGER NOT NULL DEFAULT 0, priority_waiting INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (day, service_id));
   INSERT INTO queue_lines (day, service_id, waiting, priority_waiting)
     SELECT day, service_id, COUNT(*), SUM(priority IS NOT NULL) FROM queue_tickets WHERE state = 'waiting' GROUP BY day, service_id;`,
  // Served tickets and their total service time per line: the estimated wait on tickets.
  `ALTER TABLE queue_lines ADD COLUMN served INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE queue_lines ADD COLUMN service_ms INTEGER NOT NULL DEFAULT 0;`,
  // The daily limit counts tickets issued (on the host and imported from kiosks), not numbers:
  // numbers held in kiosks' reserve blocks come from the top of the number range (down from
  // \`low\`) and count only once a citizen holds one. Blocks reserved before this kept their
  // numbers below \`last\`, so \`low\` starts empty.
  `ALTER TABLE queue_numbering ADD COLUMN issued INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE queue_numbering ADD COLUMN low INTEGER;
   UPDATE queue_numbering SET issued = (
     SELECT COUNT(*) FROM queue_tickets t WHERE t.day = queue_numbering.day
       AND substr(t.number, 1, length(queue_numbering.prefix)) = queue_numbering.prefix
       AND substr(t.number, length(queue_numbering.prefix) + 1, 1) BETWEEN '0' AND '9');`,
];
