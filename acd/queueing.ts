/**
 * Queueing theory for staffing and for validating the simulator.
 *
 * Erlang C (M/M/c): Poisson arrivals (rate λ), exponential handle times (mean 1/μ), c agents, callers never
 * abandon. Closed forms: P(wait) = C(c, A) with A = λ/μ; ASA = C/(cμ − λ); P(W ≤ T) = 1 − C·e^{−(cμ−λ)T}.
 *
 * Erlang A (M/M/c+M, Palm/Garnett–Mandelbaum–Reiman): as Erlang C, plus exponential patience (mean 1/θ).
 * Stationary distribution of the birth–death chain with death rate min(n,c)μ + max(0,n−c)θ. A caller that
 * arrives with k callers ahead in line would be served after V_k = Σ_{i=0..k} Exp(cμ + iθ) (those ahead are
 * served or abandon); it abandons first with its own patience τ ~ Exp(θ), independent of V_k. So
 * P(served | k) = Π r_i/(r_i+θ), E[W·1{served} | k] = P(served | k)·Σ 1/(r_i+θ), E[min(V,τ) | k] = (1 − P(served | k))/θ,
 * and P(served within T) comes from the transient distribution of the "callers ahead" chain (uniformisation).
 *
 * Conventions match the simulator's report: serviceLevel = answered within T / answered,
 * serviceLevelOffered = answered within T / (answered + abandoned), asa = mean wait of answered calls (s),
 * probWait = share of callers who wait at all, occupancy = busy / staffed time.
 */

export interface QueueModelInput {
  /** Arrivals per hour (Poisson). */
  readonly ratePerHour: number;
  /** Mean handle time in seconds (exponential). */
  readonly handleSeconds: number;
  /** Number of agents. */
  readonly agents: number;
  /** Service-level threshold T in seconds. */
  readonly serviceLevelSeconds: number;
  /** Mean patience in seconds (exponential). Absent or Infinity: callers never abandon (Erlang C). */
  readonly patienceSeconds?: number;
}

export interface QueueModelResult {
  readonly probWait: number;
  readonly serviceLevel: number;
  readonly serviceLevelOffered: number;
  readonly asa: number;
  readonly meanWaitAll: number;
  readonly abandonRate: number;
  readonly occupancy: number;
  /** False when the queue grows without bound (Erlang C with A >= c). */
  readonly stable: boolean;
}

function check(input: QueueModelInput): void {
  const { ratePerHour, handleSeconds, agents, serviceLevelSeconds } = input;
  if (!(ratePerHour > 0) || !Number.isFinite(ratePerHour)) throw new TypeError('ratePerHour: must be a positive number');
  if (!(handleSeconds > 0) || !Number.isFinite(handleSeconds)) throw new TypeError('handleSeconds: must be a positive number');
  if (!Number.isInteger(agents) || agents < 1) throw new TypeError('agents: must be an integer >= 1');
  if (!(serviceLevelSeconds >= 0)) throw new TypeError('serviceLevelSeconds: must be >= 0');
  if (input.patienceSeconds !== undefined && !(input.patienceSeconds > 0)) throw new TypeError('patienceSeconds: must be > 0');
}

/** Erlang B blocking probability B(c, A), by the stable recurrence. */
export function erlangB(agents: number, offeredLoad: number): number {
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  return b;
}

/** Erlang C probability of waiting C(c, A); 1 when A >= c. */
export function erlangCProbWait(agents: number, offeredLoad: number): number {
  if (offeredLoad >= agents) return 1;
  const b = erlangB(agents, offeredLoad);
  return (agents * b) / (agents - offeredLoad * (1 - b));
}

export function erlangC(input: QueueModelInput): QueueModelResult {
  check(input);
  const lambda = input.ratePerHour / 3600;
  const mu = 1 / input.handleSeconds;
  const c = input.agents;
  const a = lambda / mu;
  if (a >= c) {
    return { probWait: 1, serviceLevel: 0, serviceLevelOffered: 0, asa: Infinity, meanWaitAll: Infinity, abandonRate: 0, occupancy: 1, stable: false };
  }
  const pw = erlangCProbWait(c, a);
  const drain = c * mu - lambda;
  const asa = pw / drain;
  const sl = 1 - pw * Math.exp(-drain * input.serviceLevelSeconds);
  return { probWait: pw, serviceLevel: sl, serviceLevelOffered: sl, asa, meanWaitAll: asa, abandonRate: 0, occupancy: a / c, stable: true };
}

export function erlangA(input: QueueModelInput): QueueModelResult {
  check(input);
  if (input.patienceSeconds === undefined || input.patienceSeconds === Infinity) return erlangC(input);
  const lambda = input.ratePerHour / 3600;
  const mu = 1 / input.handleSeconds;
  const theta = 1 / input.patienceSeconds;
  const c = input.agents;
  const T = input.serviceLevelSeconds;

  // Stationary distribution in log space (large loads overflow doubles otherwise).
  const logPi: number[] = [0];
  let maxLog = 0;
  for (let n = 1; ; n++) {
    const death = Math.min(n, c) * mu + Math.max(0, n - c) * theta;
    const v = logPi[n - 1]! + Math.log(lambda) - Math.log(death);
    logPi.push(v);
    if (v > maxLog) maxLog = v;
    if (n > c && v < maxLog - 40) break;
  }
  let sum = 0;
  for (const v of logPi) sum += Math.exp(v - maxLog);
  const pi = logPi.map((v) => Math.exp(v - maxLog) / sum);

  let pNoWait = 0;
  for (let n = 0; n < c && n < pi.length; n++) pNoWait += pi[n]!;
  const K = Math.max(0, pi.length - c);
  const p: number[] = [];
  for (let k = 0; k < K; k++) p.push(pi[c + k]!);

  // Per k: P(served | k) and Σ 1/(r_i+θ).
  let pServedQueued = 0;
  let waitServed = 0;
  let waitAll = 0;
  let prod = 1;
  let inv = 0;
  for (let k = 0; k < K; k++) {
    const r = c * mu + k * theta;
    prod *= r / (r + theta);
    inv += 1 / (r + theta);
    pServedQueued += p[k]! * prod;
    waitServed += p[k]! * prod * inv;
    waitAll += (p[k]! * (1 - prod)) / theta;
  }
  const pServed = pNoWait + pServedQueued;

  // P(served within T): uniformise the chain "k callers ahead" with absorption S (served) and killing θ.
  let servedByT = 0;
  if (K > 0 && T > 0) {
    const rate = (k: number) => c * mu + k * theta;
    const Lambda = rate(K - 1) + theta;
    const lt = Lambda * T;
    const nMax = Math.ceil(lt + 12 * Math.sqrt(lt) + 30);
    let x = p.slice();
    let absorbed = 0;
    let logPois = -lt;
    let tail = 1;
    for (let n = 0; n <= nMax; n++) {
      if (n > 0) logPois += Math.log(lt) - Math.log(n);
      const pois = Math.exp(logPois);
      tail -= pois;
      // absorbed = probability of having reached S within n uniformised steps.
      servedByT += pois * absorbed;
      const y = new Array<number>(K).fill(0);
      for (let k = 0; k < K; k++) {
        const xk = x[k]!;
        if (xk === 0) continue;
        const r = rate(k);
        if (k === 0) absorbed += (xk * r) / Lambda;
        else y[k - 1]! += (xk * r) / Lambda;
        y[k]! += xk * (1 - (r + theta) / Lambda);
      }
      x = y;
    }
    servedByT += Math.max(0, tail) * absorbed;
  }
  const answeredWithinT = pNoWait + servedByT;
  const occupancy = (lambda * pServed) / (c * mu);
  return {
    probWait: 1 - pNoWait,
    serviceLevel: answeredWithinT / pServed,
    serviceLevelOffered: answeredWithinT,
    asa: waitServed / pServed,
    meanWaitAll: waitAll,
    abandonRate: 1 - pServed,
    occupancy,
    stable: true,
  };
}

export interface StaffingInput {
  readonly ratePerHour: number;
  readonly handleSeconds: number;
  readonly serviceLevelSeconds: number;
  /** Required share answered within the threshold (0..1), by the serviceLevel convention above. */
  readonly targetServiceLevel: number;
  /** Highest acceptable occupancy (0..1]. Default 1. */
  readonly maxOccupancy?: number;
  /** With patience: Erlang A; without: Erlang C. */
  readonly patienceSeconds?: number;
  /** Upper bound of the search. Default 100 000. */
  readonly maxAgents?: number;
}

export interface StaffingResult extends QueueModelResult {
  readonly agents: number;
}

/** The fewest agents that meet the service-level target and the occupancy cap. */
export function staffing(input: StaffingInput): StaffingResult {
  const maxOcc = input.maxOccupancy ?? 1;
  if (!(input.targetServiceLevel >= 0 && input.targetServiceLevel < 1)) throw new TypeError('targetServiceLevel: must be in [0, 1)');
  if (!(maxOcc > 0 && maxOcc <= 1)) throw new TypeError('maxOccupancy: must be in (0, 1]');
  const load = (input.ratePerHour / 3600) * input.handleSeconds;
  const limit = input.maxAgents ?? 100_000;
  let c = Math.max(1, Math.floor(load));
  for (; c <= limit; c++) {
    const model = { ratePerHour: input.ratePerHour, handleSeconds: input.handleSeconds, agents: c, serviceLevelSeconds: input.serviceLevelSeconds };
    const r = input.patienceSeconds === undefined ? erlangC(model) : erlangA({ ...model, patienceSeconds: input.patienceSeconds });
    if (r.stable && r.serviceLevel >= input.targetServiceLevel && r.occupancy <= maxOcc) return { agents: c, ...r };
  }
  throw new RangeError(`no staffing up to ${limit} agents meets the target`);
}
