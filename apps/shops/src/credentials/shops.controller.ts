import { Controller, Get, HttpException, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { parseShopDomain } from '../install/shop-domain';
import { InstallationDto, InstallationListDto } from './dto/shops.dto';
import { InstallationsService } from './installations.service';

/** Installations and their token health, for operators and other services. Never a token. */
@ApiTags('shops')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@Controller('shops')
export class ShopsController {
  constructor(private readonly installations: InstallationsService) {}

  @Get()
  @Access('shops:read', ShopFrom.filtered)
  @ApiOperation({
    summary: 'Every installation (any status) with its token health',
    description: "Limited to the credential's shops",
  })
  @ApiOkResponse({ type: InstallationListDto })
  async list(@Caller() caller: ApiCaller): Promise<InstallationListDto> {
    const now = Date.now();
    const views = (await this.installations.list()).filter((v) => caller.mayAccess(v.shop));
    return { shops: views.map((v) => InstallationDto.from(v, now)) };
  }

  @Get(':shop')
  @Access('shops:read', ShopFrom.param())
  @ApiOperation({ summary: 'One installation: status, scopes, grant, token expiry and health' })
  @ApiParam({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ type: InstallationDto })
  @ApiNotFoundResponse({
    description: '`not_installed`: never installed (or erased by shop/redact)',
  })
  async get(@Param('shop') raw: string): Promise<InstallationDto> {
    const shop = parseShopDomain(raw);
    if (shop === null) {
      throw new HttpException({ code: 'invalid_shop', message: 'expected x.myshopify.com' }, 400);
    }
    const view = await this.installations.get(shop);
    if (!view) throw new HttpException({ code: 'not_installed' }, 404);
    return InstallationDto.from(view);
  }
}
