// A worker thread that runs one simulation (simulation.ts starts it). Plain JavaScript: it registers tsx so it can
// import the TypeScript simulator, which a worker does not inherit from the server's own loader.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runScenario } = await import('./sim-job.ts');
parentPort.postMessage(runScenario(workerData));
