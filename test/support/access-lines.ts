// istio-proxy access-log lines in the default TEXT format and its JSON encoding (reference §5).
export interface LineOpts {
  code: number;
  details: string;
  method?: string;
  path?: string;
  authority?: string;
  requestId?: string;
  time?: string;
}

export function textLine(o: LineOpts): string {
  const t = o.time ?? '2026-12-03T10:00:00.123Z';
  return `[${t}] "${o.method ?? 'GET'} ${o.path ?? '/ws'} HTTP/1.1" ${o.code} - ${o.details} - "-" 0 ${o.details.length} 1 - "10.0.0.9" "Mozilla/5.0" "${o.requestId ?? 'req-1'}" "${o.authority ?? 'agents.example.com'}" "-" inbound|8080|| - 10.244.0.5:8080 10.0.0.9:51234 outbound_.8080_._.agent.ns.svc.cluster.local default`;
}

export function jsonLine(o: LineOpts): string {
  return JSON.stringify({
    start_time: o.time ?? '2026-12-03T10:00:00.123Z', method: o.method ?? 'GET', path: o.path ?? '/ws', protocol: 'HTTP/1.1', response_code: o.code,
    response_flags: '-', response_code_details: o.details, connection_termination_details: null, upstream_transport_failure_reason: null,
    bytes_received: 0, bytes_sent: 10, duration: 1, upstream_service_time: null, x_forwarded_for: '10.0.0.9', user_agent: 'Mozilla/5.0',
    request_id: o.requestId ?? 'req-1', authority: o.authority ?? 'agents.example.com', upstream_host: null, upstream_cluster: 'inbound|8080||',
    upstream_local_address: null, downstream_local_address: '10.244.0.5:8080', downstream_remote_address: '10.0.0.9:51234', requested_server_name: null, route_name: 'default',
  });
}

export const envoyNew = (logger: string, msg: string) => `2026-12-03T10:00:00.123456Z\tdebug\tenvoy ${logger} external/envoy/source/extensions/filters/http/jwt_authn/authenticator.cc:123\t${msg}\tthread=21`;
export const envoyOld = (logger: string, msg: string) => `[2026-12-03 10:00:00.123][21][debug][${logger}] [external/envoy/source/extensions/filters/http/jwt_authn/filter.cc:101] ${msg}`;
