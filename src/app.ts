import cookie from '@fastify/cookie'
import formBody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify'
import type { LoggerOptions } from 'pino'
import type { Config } from './config.ts'
import { createLogger } from './logger.ts'
import { accessLogPlugin } from './plugins/access-log.ts'
import { authenticatePlugin } from './plugins/authenticate.ts'
import { docsPlugin } from './plugins/docs.ts'
import { drainingPlugin } from './plugins/draining.ts'
import { errorHandlerPlugin } from './plugins/error-handler.ts'
import { jobsPlugin } from './plugins/jobs.ts'
import { jsonBodyPlugin } from './plugins/json-body.ts'
import { metricsPlugin } from './plugins/metrics.ts'
import { rejectNulPlugin } from './plugins/reject-nul.ts'
import { REQUEST_ID_HEADER, requestIdOptions, requestIdPlugin } from './plugins/request-id.ts'
import { servicesPlugin } from './plugins/services.ts'
import { securityHeadersPlugin } from './plugins/security-headers.ts'
import { accountRoutes } from './routes/account.ts'
import { adminRoutes } from './routes/admin.ts'
import { adminAuditRoutes } from './routes/admin-audit.ts'
import { adminKeyRoutes } from './routes/admin-keys.ts'
import { adminMfaRoutes } from './routes/admin-mfa.ts'
import { adminUserRoutes } from './routes/admin-users.ts'
import { adminUserEmailRoutes } from './routes/admin-user-email.ts'
import { authRoutes } from './routes/auth.ts'
import { browserSessionRoutes } from './routes/browser-session.ts'
import { emailRoutes } from './routes/email.ts'
import { emailAccountRoutes } from './routes/email-account.ts'
import { healthRoutes } from './routes/health.ts'
import { mfaRoutes } from './routes/mfa.ts'
import { mfaLoginRoutes } from './routes/mfa-login.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { oauthRoutes } from './routes/oauth.ts'
import { profileRoutes } from './routes/profile.ts'
import { protectedRoutes } from './routes/protected.ts'
import { ErrorBody, UnprocessableBody } from './routes/schemas.ts'
import { sessionRoutes } from './routes/sessions.ts'
import { uiRoutes, DEFAULT_UI_DIRECTORY } from './routes/ui.ts'
import { webauthnRoutes } from './routes/webauthn.ts'
import { webauthnLoginRoutes } from './routes/webauthn-login.ts'
import { wellKnownRoutes } from './routes/well-known.ts'
import { createServiceContext, type ContextDependencies } from './services/create-context.ts'
import { ensureBootstrapAdmin } from './services/users.ts'
import { VERSION } from './installation.ts'

/** What tests (or an embedding program) may supply instead of the defaults. */
export interface AppDependencies extends ContextDependencies {
  /** `false` silences the log; an object overrides pino options. */
  logger?: false | LoggerOptions
  /** Where the built pages are (default: dist/ui of this installation). */
  uiDirectory?: string
}

const ROUTER_ERROR_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
}

/** Builds the HTTP application. It never listens: main.ts and the tests decide that. */
export async function buildApp(config: Config, dependencies: AppDependencies = {}): Promise<FastifyInstance> {
  const log = createLogger(config, dependencies.logger)
  // Typed as Fastify's logger, so the instance keeps Fastify's default generics.
  const loggerInstance: FastifyBaseLogger = log
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ...requestIdOptions,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    // Idle keep-alive sockets are cheap to reopen and costly to hold during a connection flood.
    keepAliveTimeout: 5_000,
    // A request that reaches an open connection while the server closes is served, not refused with 503:
    // the drain (src/main.ts) has already turned new traffic away, so these are stragglers to finish.
    return503OnClosing: false,
    http: {
      // Slowloris: a client gets GATEHOUSE_HEADERS_TIMEOUT (10 s) to finish sending its headers. Node only
      // enforces it when it sweeps its connections, every 30 s by default, so a client trickling a byte
      // every few seconds held its socket for up to 40 s (issue 16, finding 5); sweep every second.
      headersTimeout: config.headersTimeoutSeconds * 1000,
      connectionsCheckingInterval: 1_000,
    },
    // X-Forwarded-For is client-controlled: read it only through the configured number of proxy hops
    // (proxy-addr counts hop 0 as the socket peer, then the X-Forwarded-For entries right to left).
    trustProxy:
      config.trustProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustProxyHops : false,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true },
    },
    // A malformed URL or an over-long path parameter fails in the router, before any hook runs: answer it
    // here in our own shape and with the same protective headers, without echoing the URL.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      void (reply as FastifyReply)
        .code(tooLong ? 414 : 400)
        .headers({ ...ROUTER_ERROR_HEADERS, [REQUEST_ID_HEADER]: request.id })
        .send({
          detail: tooLong ? 'A path parameter is too long' : 'Malformed URL',
          code: 'validation_failed',
        })
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const context = await createServiceContext(config, log, dependencies)
  await app.register(servicesPlugin, { context })
  await app.register(requestIdPlugin)
  app.removeContentTypeParser('text/plain')
  await app.register(jsonBodyPlugin, { bodyLimit: config.bodyLimitBytes })
  await app.register(formBody, { bodyLimit: config.bodyLimitBytes })
  // Parses the hosted pages' session cookies; nothing else reads cookies.
  await app.register(cookie)
  await app.register(accessLogPlugin)
  await app.register(errorHandlerPlugin)
  await app.register(rejectNulPlugin)
  await app.register(securityHeadersPlugin, { corsOrigins: config.corsOrigins })
  await app.register(authenticatePlugin)
  await app.register(docsPlugin, { version: VERSION, sharedSchemas: [ErrorBody, UnprocessableBody] })
  await app.register(jobsPlugin)
  await app.register(metricsPlugin)
  await app.register(drainingPlugin)

  // Responses carry user data or tokens unless a route says otherwise (the JWKS and /docs do).
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  })

  await app.register(authRoutes)
  await app.register(oauthRoutes)
  await app.register(browserSessionRoutes)
  await app.register(emailRoutes)
  await app.register(mfaLoginRoutes)
  await app.register(webauthnLoginRoutes)
  await app.register(
    protectedRoutes('user', [
      profileRoutes,
      accountRoutes,
      sessionRoutes,
      emailAccountRoutes,
      mfaRoutes,
      webauthnRoutes,
    ]),
  )
  await app.register(
    protectedRoutes('admin', [
      adminRoutes,
      adminUserRoutes,
      adminUserEmailRoutes,
      adminAuditRoutes,
      adminKeyRoutes,
      adminMfaRoutes,
    ]),
  )
  await app.register(wellKnownRoutes)
  await app.register(healthRoutes)
  if (config.metrics.token !== undefined) await app.register(metricsRoutes, { token: config.metrics.token })
  await app.register(uiRoutes, { directory: dependencies.uiDirectory ?? DEFAULT_UI_DIRECTORY })

  if (config.adminUsername && config.adminPassword) {
    const outcome = await ensureBootstrapAdmin(context, config.adminUsername, config.adminPassword)
    app.log.info({ username: config.adminUsername, outcome }, 'bootstrap admin')
  }
  return app
}
