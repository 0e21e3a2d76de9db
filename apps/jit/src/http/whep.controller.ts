import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Headers,
  HttpCode,
  InternalServerErrorException,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { InputError } from '../media/input-location';
import { OfferError } from '../webrtc/viewer';
import { ViewerRegistry } from '../viewers/viewer-registry';
import { ViewerTokenGuard } from './viewer-token.guard';

/** WHEP (RFC 9725): a viewer posts its SDP offer and gets the answer and its resource URL. */
@Controller('whep')
@UseGuards(ViewerTokenGuard)
export class WhepController {
  constructor(@Inject(ViewerRegistry) private readonly viewers: ViewerRegistry) {}

  @Post()
  @HttpCode(201)
  async offer(
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (!contentType?.toLowerCase().startsWith('application/sdp')) {
      throw new UnsupportedMediaTypeException('the offer must be sent as application/sdp');
    }
    if (typeof body !== 'string' || !body.startsWith('v=0') || !/^m=/m.test(body)) {
      throw new BadRequestException('the body is not an SDP offer (it must start with v=0 and have media sections)');
    }
    try {
      const { id, answer } = await this.viewers.add(body);
      // A token that came in the URL goes on in the resource URL, so a DELETE of it is let in too.
      const token = typeof req.query.token === 'string' ? `?token=${encodeURIComponent(req.query.token)}` : '';
      res.location(`/whep/${id}${token}`).type('application/sdp');
      return answer;
    } catch (error) {
      if (error instanceof OfferError) throw new BadRequestException(error.message);
      if (error instanceof InputError) throw new InternalServerErrorException(error.message);
      throw error;
    }
  }

  @Delete(':id')
  @HttpCode(200)
  async end(@Param('id') id: string): Promise<{ ended: string }> {
    if (!(await this.viewers.remove(id))) throw new NotFoundException(`no viewer ${id}`);
    return { ended: id };
  }
}
