import { ApiProperty } from '@nestjs/swagger';

export class MessageDto {
  @ApiProperty({ example: 'Hello john, welcome to the protected route!' })
  message: string;
}
