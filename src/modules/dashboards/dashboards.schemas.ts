import { Type } from '@sinclair/typebox';
import { ListEnvelope, ListQuery, Nullable, Text, Timestamp, UpdateOf, Uuid } from '../../core/http/schemas.ts';

export const MAX_WIDGETS = 100;
/** The stored config as JSON text; larger configs are 422 (a layout, not a data store). */
export const MAX_CONFIG_BYTES = 64 * 1024;

const GridInt = (minimum: number, description: string) => Type.Integer({ minimum, maximum: 10000, description });

const WidgetPosition = Type.Object(
  {
    x: GridInt(0, 'column, from 0'),
    y: GridInt(0, 'row, from 0'),
    w: GridInt(1, 'width in grid cells, at least 1'),
    h: GridInt(1, 'height in grid cells, at least 1'),
  },
  { additionalProperties: false },
);

const Widget = Type.Object(
  {
    type: Text(100, { description: 'widget type; the front end defines them' }),
    position: WidgetPosition,
    settings: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'free-form widget settings (a JSON object)' }),
    ),
  },
  { additionalProperties: false },
);

export const DashboardConfig = Type.Object(
  { widgets: Type.Array(Widget, { maxItems: MAX_WIDGETS }) },
  {
    $id: 'DashboardConfig',
    additionalProperties: false,
    description: `widgets with grid positions; at most ${MAX_WIDGETS} widgets and ${MAX_CONFIG_BYTES / 1024} KiB`,
  },
);

const dashboardWritable = {
  name: Text(200),
  config: Type.Ref(DashboardConfig),
  theme: Nullable(Text(100, { description: 'front-end theme name, e.g. catppuccin-frappe' })),
  is_default: Type.Boolean({
    description: 'true makes it the default (the previous default is cleared); false on the default is 422',
  }),
};

const { name, ...optional } = dashboardWritable;

export const DashboardCreate = Type.Object(
  { name, ...Type.Partial(Type.Object(optional)).properties },
  { $id: 'DashboardCreate', additionalProperties: false },
);

export const DashboardUpdate = UpdateOf(dashboardWritable, { $id: 'DashboardUpdate' });

export const DashboardResponse = Type.Object(
  {
    id: Uuid(),
    owner_id: Uuid(),
    name: Type.String(),
    config: Type.Ref(DashboardConfig),
    theme: Nullable(Type.String()),
    is_default: Type.Boolean({ description: 'exactly one of an owner’s dashboards is the default' }),
    last_accessed: Nullable(Timestamp({ description: 'last GET by id' })),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Dashboard' },
);

export const DashboardListQuery = ListQuery({ is_default: Type.Optional(Type.Boolean()) });
export const DashboardList = ListEnvelope(Type.Ref('Dashboard'), { $id: 'DashboardList' });
