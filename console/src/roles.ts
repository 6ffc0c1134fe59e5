/**
 * What each console role sees in the menu: the screens the server lets it
 * use (docs/AUTHZ.md). Department accounts read inspections and tasks but
 * never cases (no party's personal data); the other roles read all three
 * record lists in their scope; the supervisor also has 执法监督 first.
 */
export type Screen = 'supervise' | 'sampling' | 'scoring' | 'clues' | 'normal' | 'cases' | 'events' | 'inspections' | 'tasks' | 'admin' | 'adoption' | 'audit'

export const MENU: { screen: Screen; label: string }[] = [
  { screen: 'supervise', label: '执法监督' },
  { screen: 'sampling', label: '案卷评查' },
  { screen: 'scoring', label: '交叉评查' },
  { screen: 'clues', label: '监督线索' },
  { screen: 'normal', label: '普通程序' },
  { screen: 'cases', label: '案件' },
  { screen: 'events', label: '平台事件' },
  { screen: 'inspections', label: '检查' },
  { screen: 'tasks', label: '任务' },
  { screen: 'admin', label: '账号与终端' },
  { screen: 'adoption', label: '承接事项' },
  { screen: 'audit', label: '审计日志' },
]

export function screensOf(role: string, scope = ''): Screen[] {
  // Audit rows name no township: only a city-wide administrator reads them.
  if (role === 'administrator') {
    return scope === ''
      ? ['cases', 'normal', 'inspections', 'tasks', 'admin', 'adoption', 'audit']
      : ['cases', 'normal', 'inspections', 'tasks', 'admin', 'adoption']
  }
  if (role === 'department') return ['inspections', 'tasks']
  // Only the 司法局's supervision accounts run the supervision report.
  // 案卷评查: the supervisor draws and assigns files of its scope and
  // scores those other districts assign to it; 法制审核 accounts score.
  if (role === 'supervisor') return ['supervise', 'sampling', 'scoring', 'normal', 'cases', 'inspections', 'tasks']
  // The supervised unit answers the clues of its township.
  // The 负责人 approves: the normal procedure's inbox comes first.
  if (role === 'approver') return ['normal', 'cases', 'clues', 'inspections', 'tasks']
  if (role === 'command_centre') return ['cases', 'events', 'normal', 'clues', 'inspections', 'tasks']
  // 法制审核: the review queue of the normal procedure first.
  if (role === 'legal_review') return ['normal', 'scoring', 'cases', 'inspections', 'tasks']
  return ['cases', 'inspections', 'tasks']
}

/** The first screen after sign-in. */
export function homeOf(role: string, scope = ''): Screen {
  return screensOf(role, scope)[0] ?? 'tasks'
}

/** A scope ('' / 6 / 9 digits) in words. */
export function scopeLabel(scope: string): string {
  if (!scope) return '全市'
  if (scope.length === 6) return `区县 ${scope}`
  return `镇街 ${scope}`
}
