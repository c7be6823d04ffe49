/** Admin texts: Vietnamese first, English on the switch. */
import type { Dict } from '../lib/i18n.ts';

const vi = {
  title: 'Quản trị thiết bị và đồng bộ',
  language: 'English',
  devices: 'Thiết bị',
  type: 'Loại / trình điều khiển',
  state: 'Trạng thái',
  reason: 'Chi tiết',
  testPage: 'In trang thử',
  job: 'Lệnh in',
  preview: 'Xem bản in',
  outbox: 'Hàng đợi gửi về trung tâm',
  pending: 'Chờ gửi',
  delivered: 'Đã gửi',
  dead: 'Gửi lỗi (cần xử lý)',
  oldest: 'Sự kiện chờ lâu nhất',
  lastError: 'Lỗi gần nhất',
  event: 'Sự kiện',
  retry: 'Gửi lại',
  relay: 'Kênh gửi',
  attempts: 'Số lần thử',
  config: 'Kiểm tra cấu hình và tình trạng',
  events: 'Sự kiện gần đây',
};

const en: typeof vi = {
  title: 'Devices and forwarding',
  language: 'Tiếng Việt',
  devices: 'Devices',
  type: 'Type / driver',
  state: 'State',
  reason: 'Detail',
  testPage: 'Print test page',
  job: 'Job',
  preview: 'Preview',
  outbox: 'Outbox to the central system',
  pending: 'Pending',
  delivered: 'Delivered',
  dead: 'Dead letters',
  oldest: 'Oldest pending',
  lastError: 'Last error',
  event: 'Event',
  retry: 'Retry',
  relay: 'Transport',
  attempts: 'Attempts',
  config: 'Configuration and health check',
  events: 'Recent events',
};

export const texts: Dict<keyof typeof vi> = { vi, en };
export type Key = keyof typeof vi;
