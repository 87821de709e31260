/** One VLM per worker: the model host exposed over comlink to the coordinator. */
import * as Comlink from 'comlink';
import { ModelHost } from './model/host';

Comlink.expose(new ModelHost());
