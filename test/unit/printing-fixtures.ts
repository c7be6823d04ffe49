/** Template data shared by the printing tests and the bench. */
export const ticketData = (patch: Record<string, unknown> = {}) => ({
  number: 'A012',
  serviceName: 'Đất đai',
  serviceNameEn: 'Land',
  issuedAt: '2026-11-22T07:05:00Z',
  waitingAhead: 5,
  estimatedWaitMinutes: 15,
  counterHint: 'Quầy 1, 3',
  ...patch,
});

export const receiptData = (patch: Record<string, unknown> = {}) => ({
  dossierCode: '000.00.21.H30-261122-0001',
  agencyName: 'UBND tỉnh Hải Dương',
  applicant: { name: 'Nguyễn Thị Hồng Nhung', address: 'Số 12 đường Trần Hưng Đạo, phường Ngọc Châu, TP Hải Dương', phone: '0912345678', email: 'nhung@example.vn' },
  request: 'Cấp giấy chứng nhận quyền sử dụng đất lần đầu',
  components: [
    { name: 'Đơn đăng ký, cấp Giấy chứng nhận quyền sử dụng đất (Mẫu số 04a/ĐK)', originals: 1, copies: 0 },
    { name: 'Căn cước công dân', originals: 0, copies: 1 },
  ],
  sets: 1,
  processingTime: '30 ngày làm việc',
  receivedAt: '2026-11-22T02:15:00Z',
  appointmentAt: '2026-12-30T08:00:00Z',
  returnMethod: 'post',
  clerk: 'Trần Văn Bình',
  fee: 150000,
  ...patch,
});
