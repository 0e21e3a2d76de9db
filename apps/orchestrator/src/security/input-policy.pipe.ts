import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { ORCHESTRATOR_CONFIG } from '@jit/nest';
import type { OrchestratorConfig } from '@jit/config';
import type { SessionRequest } from '@jit/sessions';
import { InputPolicy } from './input-policy';

/** Applies the input policy to a validated `POST /session` body: 400 naming the input it refuses. */
@Injectable()
export class InputPolicyPipe implements PipeTransform<SessionRequest, Promise<SessionRequest>> {
  private readonly policy: InputPolicy;

  constructor(@Inject(ORCHESTRATOR_CONFIG) config: OrchestratorConfig) {
    this.policy = new InputPolicy(config.mediaRoots);
  }

  async transform(request: SessionRequest): Promise<SessionRequest> {
    await this.policy.check(request.inputs);
    return request;
  }
}
