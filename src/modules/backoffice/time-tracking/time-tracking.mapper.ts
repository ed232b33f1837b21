import { moneyText } from '../shared/money.ts';
import type { TimeEntryRow } from './time-tracking.repository.ts';

export function toTimeEntryResponse(e: TimeEntryRow) {
  return {
    id: e.id,
    employee_id: e.employeeId,
    project_id: e.projectId,
    customer_id: e.customerId,
    start_time: e.startTime,
    end_time: e.endTime,
    duration_minutes: e.durationMinutes,
    billable: e.billable,
    hourly_rate: moneyText(e.hourlyRate),
    note: e.note,
    task_type: e.taskType,
    is_running: e.endTime === null,
    is_approved: e.isApproved,
    approved_by: e.approvedBy,
    approved_at: e.approvedAt,
    is_invoiced: e.isInvoiced,
    invoice_id: e.invoiceId,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}
