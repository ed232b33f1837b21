import { moneyText } from '../shared/money.ts';
import type { ProjectView } from './projects.service.ts';

export function toProjectResponse(p: ProjectView) {
  return {
    id: p.id,
    project_number: p.projectNumber,
    title: p.title,
    customer_id: p.customerId,
    department_id: p.departmentId,
    project_manager_id: p.projectManagerId,
    status: p.status,
    priority: p.priority,
    start_date: p.startDate,
    end_date: p.endDate,
    deadline: p.deadline,
    budget: moneyText(p.budget),
    hourly_rate: moneyText(p.hourlyRate),
    description: p.description,
    notes: p.notes,
    archived_at: p.archivedAt,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    is_active: p.isActive,
    is_overdue: p.isOverdue,
    days_until_deadline: p.daysUntilDeadline,
  };
}
