import type { FastifyPluginAsync } from 'fastify'

/** Who may reach a group of routes: any signed-in user, or admins only. */
export type RouteAudience = 'user' | 'admin'

/**
 * Registers route plugins behind bearer authentication, and for admins the database role check, once
 * for the whole group. The hooks run at onRequest: an unauthenticated caller gets 401 before any body
 * is parsed or validated, so schemas leak nothing. Handlers read the caller with `requireAuth`.
 */
export function protectedRoutes(
  audience: RouteAudience,
  plugins: ReadonlyArray<FastifyPluginAsync>,
): FastifyPluginAsync {
  return async (scope) => {
    scope.addHook('onRequest', scope.authenticate)
    if (audience === 'admin') scope.addHook('onRequest', scope.requireAdmin)
    for (const plugin of plugins) await scope.register(plugin)
  }
}
