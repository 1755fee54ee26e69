// The one helper the tests import from cognito-local's src/services/userPoolService.ts (MIT,
// copied unchanged).
type AttributeListType = { Name: string; Value?: string }[];

export const attributeValue = (
  attributeName: string | undefined,
  attributes: AttributeListType | undefined,
) => (attributes ?? []).find((x) => x.Name === attributeName)?.Value;

export type User = { AttributeVerificationCode?: string };
