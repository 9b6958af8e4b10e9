import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** The token from a mailed link: any string is checked (400 if not a live link), none is echoed. */
export function IsLinkToken(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description:
        'The token from the link in the mail: the part after `#token=` (our pages send it for you).',
      maxLength: 512,
      example: 'q3Vh0ZB2f0Yy3a9xW1c2kTjv8mR6nLpE5sUdA7gQbXo',
    }),
    IsString({ message: 'token must be a string.' }),
    IsNotEmpty({ message: 'token must not be empty.' }),
    MaxLength(512, { message: 'token must be at most 512 characters long.' }),
  );
}
